"""The value types of a library's embedding model (``svc.library.embedders``): the languages of
its text, the models it can use, what a switch would do, and what a switch did."""

from __future__ import annotations

from dataclasses import dataclass

from ragtune.core.catalogue import CatalogueEntry

#: a library is "mostly not English" above this share of its text in other languages
OTHER_LANGUAGES_SHARE = 0.5


@dataclass(frozen=True)
class LanguageMix:
    """Shares of the sampled text by language code ("en", "de"), largest first."""

    shares: tuple[tuple[str, float], ...]
    passages: int

    @property
    def english(self) -> float:
        return dict(self.shares).get("en", 0.0)

    @property
    def mostly_not_english(self) -> bool:
        return self.passages > 0 and 1.0 - self.english > OTHER_LANGUAGES_SHARE

    def describe(self, top: int = 3) -> str:
        """"German 70 %, English 25 %" (language codes where the name is not known)."""
        return ", ".join(f"{_NAMES.get(code, code)} {share:.0%}" for code, share in self.shares[:top])


_NAMES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "nl": "Dutch",
    "pt": "Portuguese", "pl": "Polish", "ru": "Russian", "sv": "Swedish", "da": "Danish",
    "no": "Norwegian", "fi": "Finnish", "cs": "Czech", "tr": "Turkish", "zh": "Chinese",
    "ja": "Japanese", "ko": "Korean", "ar": "Arabic", "el": "Greek", "hu": "Hungarian",
}


@dataclass(frozen=True)
class EmbedderOption:
    """One embedding model a library can use: its catalogue entry (None: a model the catalogue
    does not list, e.g. one a test injects), whether it is on this machine, whether the library
    uses it, and whether it is the one recommended for the library's languages."""

    model_id: str
    name: str
    entry: CatalogueEntry | None
    installed: bool
    current: bool = False
    recommended: bool = False
    unfinished: tuple[int, int] | None = None  # a stopped switch to this model: passages done, in all


@dataclass(frozen=True)
class EmbedderPlan:
    """What switching ``library`` to ``new_model`` would do (nothing written yet)."""

    library: str
    current_model: str | None  # None: nothing indexed yet
    current_dim: int
    new_model: str
    new_name: str
    new_dim: int
    passages: int
    resumable: int  # passages already embedded by an earlier, unfinished switch to this model
    needs_download: bool
    download_bytes: int = 0  # the catalogue's size of the model (about)
    unfinished_switch: str = ""  # an unfinished switch to another model (choosing this one drops it)

    @property
    def unchanged(self) -> bool:
        return self.current_model == self.new_model


@dataclass(frozen=True)
class ReembedReport:
    """What a re-embed did: ``embedded`` passages in this run of ``total``, ``resumed_from`` done
    before it; ``cancelled`` when it stopped before the swap (the old model still in use)."""

    library: str
    model: str
    embedded: int
    total: int
    resumed_from: int
    seconds: float
    cancelled: bool = False
    dropped_switch: str = ""  # the model of an unfinished switch dropped instead (the library kept its own)
