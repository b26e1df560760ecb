"""The listing models by listing type ("technology", "need": their URL segment), so shared
views serve both."""

from django.http import Http404

_MODELS = {}


def register(model):
    _MODELS[model._meta.model_name] = model
    return model


def listing_model(listing_type: str):
    try:
        return _MODELS[listing_type]
    except KeyError:
        raise Http404 from None


def listing_models():
    return list(_MODELS.values())
