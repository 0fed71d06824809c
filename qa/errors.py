"""QAError and its subclasses: bad input or missing setup, each message says what to do next."""


class QAError(Exception):
    """Base class: the CLI prints the message on one line and exits with code 2."""


class ConfigError(QAError):
    """A setting is wrong or an optional package is missing."""


class IndexMissingError(QAError):
    """Nothing has been ingested into the asked collection."""


class InputError(QAError):
    """A question, file or folder given by the user is unusable."""


class BackendError(QAError):
    """An LLM or Chroma server could not be reached or answered badly."""
