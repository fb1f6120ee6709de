"""Staff pages: parse, authorize through booking.access, call one service, render."""
