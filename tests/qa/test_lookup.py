"""Greedy generation with prompt-lookup drafts: the guesses (pure), and the real llama.cpp reply they speed up,
which must be the one llama-cpp-python's own greedy decoding gives (SmolLM2: machinery, not quality)."""
import pytest

from qa.llm.lookup import drafted


def test_the_draft_is_what_followed_the_latest_earlier_match_longest_first():
    assert drafted([5, 6, 7, 8, 9, 1, 6, 7], most=3) == [8, 9, 1]        # "6 7" matched, two tokens
    assert drafted([1, 2, 3, 4, 2, 3, 9, 2, 3], most=2) == [9, 2]        # the latest earlier "2 3"
    assert drafted([1, 2, 3, 9, 1, 2, 4, 2, 3], most=5) == [9, 1, 2, 4, 2]   # "4 2 3" is not there; "2 3" is
    assert drafted([1, 2, 3], most=4) == [] and drafted([4, 4], most=0) == []
    assert drafted([7, 8, 7], most=4) == [8, 7]                          # one token, at the very start


@pytest.mark.slow
def test_greedy_with_drafts_writes_what_token_by_token_decoding_writes(monkeypatch):
    from qa.llm import lookup
    from qa.llm.gguf import bundled_smollm2
    from qa.llm.llamacpp import LlamaCppModel

    model = LlamaCppModel(bundled_smollm2(), context_tokens=1024, max_tokens=40)
    try:
        system = "You copy words out of sentences."
        user = ("Sentence: The Quellmoor harbour ferry now runs two crossings a day, the harbour master said on "
                "Monday.\n\nRepeat the sentence word for word.")
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        model._system_only(system, model._tokens(system, user))
        plain = model._llm.create_chat_completion(messages, max_tokens=40, temperature=0.0)
        expected = plain["choices"][0]["message"]["content"]
        passes = []
        decode = lookup._decode
        monkeypatch.setattr(lookup, "_decode", lambda *a: passes.append(len(a[2])) or decode(*a))
        pieces = list(model.stream(system, user, 40))
        assert "".join(pieces) == expected and len(pieces) > 5
        assert len(passes) < len(pieces) / 2 and max(passes) > 1   # copied words came several to a pass
        assert "".join(model.stream(system, user, 3)) == "".join(pieces[:3])   # capped, as asked
        again = "".join(model.stream(system, user))   # sequence 0 was left as the reply ended: the same again
        assert again == expected
        text = model._format(system, "Repeat: " + "the ferry runs again " * 400).encode()
        long = model._llm.tokenize(text, add_bos=False, special=True)[:model._llm.n_ctx() - 3]
        assert len(list(lookup.greedy(model._llm, long, 0, 50))) <= 3   # the reply ends where the context does
    finally:
        model.close()
