"""QAError and its subclasses: each message says what to do next, each class carries its exit code."""


class QAError(Exception):
    """Base class: the CLI prints the message on one line and exits with exit_code; the HTTP API answers with
    http_status and the message as a JSON error."""

    exit_code = 2
    http_status = 400


class ConfigError(QAError):
    """A setting is wrong or an optional package is missing (exit 2)."""


class IndexMissingError(QAError):
    """Nothing has been ingested into the asked collection (exit 2: run `qa ingest` first)."""

    http_status = 409


class InputError(QAError):
    """A question, file or folder given by the user is unusable (exit 2)."""


class NotFoundError(InputError):
    """No such article (exit 2, HTTP 404)."""

    http_status = 404


class BackendError(QAError):
    """An LLM or Chroma server could not be reached or answered badly (exit 1: a runtime failure)."""

    exit_code = 1
    http_status = 502
