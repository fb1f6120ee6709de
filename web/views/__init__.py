"""The public site's views: thin; reads in web.events, writes through the booking services."""
