"""The terminal's status line while an answer is prepared: animated on a terminal, erased before the text, and
nothing at all on a pipe."""
import io
import time

from qa.waiting import Waiting


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_a_status_line_that_is_erased_before_the_answer():
    out = Terminal()
    with Waiting("Reading the articles", stream=out, every=0.01) as waiting:
        deadline = time.monotonic() + 5
        while "Reading" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        waiting.stop()
        shown = out.getvalue()
        waiting.stop()                     # once is enough; the end of the block stops it again
    assert shown.startswith("\r⠋ Reading the articles… 0 s")
    assert shown.endswith("\r" + " " * len("⠋ Reading the articles… 0 s") + "\r")   # blanked, the cursor home
    assert out.getvalue() == shown         # nothing after stop


def test_a_pipe_gets_nothing():
    out = io.StringIO()
    with Waiting(stream=out, every=0.01):
        time.sleep(0.05)
    assert out.getvalue() == ""
