"""Admin forms that send their free texts through the one text cleaner (booking.services.texts):
a control character or a direction override is a form error on its field, nothing is saved."""

from django import forms

from booking.errors import InvalidInput
from booking.services.texts import free_text_names, free_texts_clean


class CleanTextsForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        model = self._meta.model
        texts = {name: cleaned[name] for name in free_text_names(model) if cleaned.get(name) is not None}
        try:
            cleaned.update(free_texts_clean(model, texts))
        except InvalidInput as exc:
            for error in exc.errors:
                name = str(error.get("pointer", "")).strip("/").split("/")[0]
                self.add_error(name if name in self.fields else None, str(error["detail"]))
        return cleaned
