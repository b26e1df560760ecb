"""The listing models (technology, need) by URL kind, so shared views serve both."""

from django.http import Http404

_MODELS = {}


def register(model):
    _MODELS[model._meta.model_name] = model
    return model


def listing_model(kind: str):
    try:
        return _MODELS[kind]
    except KeyError:
        raise Http404 from None


def listing_models():
    return list(_MODELS.values())
