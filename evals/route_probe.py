"""`python -m evals.route_probe`: can a question that needs several articles be told from a fact question by
meaning, without a keyword? Two signals, measured on the fact questions of seeds, realnews and 100 of squad2
against questions that need several statements but name no summary, list or comparison:

- the model: P(yes) - P(no) of a one-token classification prompt (one prompt evaluation per question);
- the evidence spread (no model): how many articles hold a sentence scoring at least 80 % / 90 % of the best;
- the question's own embedding (no model): its nearest generic several-statement questions against its nearest
  generic one-fact questions (PROTOTYPES: written for no dev set), mean cosine of the 3 nearest of each;
- completeness: the model asked whether the best evidence sentence answers the question whole (P(no) - P(yes)).

Prints, for each, how many keyword-free questions it recognises at a threshold that routes no fact question.
Needs the eval collections (`qa eval --dataset seeds|realnews` first) and the model.
"""
from __future__ import annotations

import json
import random

from evals.datasets import DEFAULT_BENCHMARKS, HERE
from evals.metrics import auc

ROUTE_SYSTEM = ("You sort questions asked of a collection of news articles. Answer yes if answering the question needs "
                "several statements gathered from one or more articles: a summary, the views or reactions of several "
                "parties, what each side wants, reasons, a list, or how something developed over time. Answer no if "
                "one sentence stating a single fact (a name, number, date, place, or one event) answers it. Reply yes "
                "or no.")
# the same, with examples (generic ones, of no dev set): AUC 0.945 against 0.924, but one fact question still scores
# highest ("What is the process of analyzing the amount of resources needed by a particular algorithm …", 0.91)
FEW_SHOT_SYSTEM = (
    "You sort questions asked of a collection of news articles.\n"
    "Answer yes if a good answer gathers several statements: the views or reactions of several parties, what each "
    "side wants, the reasons given, the steps of a process, or how something developed.\n"
    "Answer no if a good answer is one fact: a name, number, date, place, a single event or a single cause.\n"
    "Examples:\n"
    "Question: How did residents and officials react to the new stadium plan? -> yes\n"
    "Question: Who designed the new stadium? -> no\n"
    "Question: What are the arguments for and against the tax? -> yes\n"
    "Question: Why was the bridge closed on Monday? -> no\n"
    "Question: What has happened to fuel prices since the war began? -> yes\n"
    "Question: How much did fuel cost in March? -> no\n"
    "Reply yes or no.")
# generic questions of each kind, of no dev set's topics: (several statements needed, one fact answers)
PROTOTYPES = (
    ["How did residents and officials react to the new stadium plan?",
     "What are the arguments for and against the tax?",
     "What has happened to fuel prices since the war began?", "What does each party want from the coalition talks?",
     "How have other countries responded to the sanctions?", "What reasons did the company give for the layoffs?",
     "What views do economists hold about the rate rise?", "How has the relationship between the two leaders changed?",
     "What are the main concerns raised about the new law?", "What steps has the city taken to deal with the flooding?",
     "What have critics said about the decision?", "What do supporters and opponents say about the plan?"],
    ["Who designed the new stadium?", "Why was the bridge closed on Monday?", "How much did fuel cost in March?",
     "When will the coalition talks begin?", "Which country imposed the sanctions?",
     "How many workers did the company lay off?", "What is the name of the new central bank governor?",
     "Where did the two leaders meet?", "What year was the law passed?", "Who leads the union?",
     "What did the judge decide about the appeal?", "What caused the fire at the warehouse?"])
COMPLETE_SYSTEM = ("You check whether one sentence from a news article is a complete answer to a question. Answer yes "
                   "if the sentence alone answers the question fully. Answer no if a full answer needs more statements "
                   "than this sentence gives: the views or actions of other parties, other reasons, more items, or "
                   "later events. Reply yes or no.")
NEAREST = 3   # prototypes of each kind a question's embedding is compared with
MEANING = {   # several statements needed, no keyword of the synthesis word list
    "seeds": ["What does each side want from the cooperation between Russia and North Korea?",
              "How have Washington and its allies responded to the ties between Putin and Kim?",
              "What reasons do the articles give for Kim Jong Un's invitation to Putin?",
              "How did relations between Russia and North Korea develop over the years?",
              "What views are reported on the arms trade between Russia and North Korea?",
              "What did officials on each side say about a possible Putin visit to Pyongyang?",
              "How have the Kremlin and Pyongyang described their relationship?",
              "What are the different reactions to the meeting in Vladivostok?",
              "What happened between Putin and the Kims from 2000 to now?"],
    "realnews": ["Why are experts worried about California's rolling blackouts?",
                 "What restrictions apply to pubs and bars under England's new coronavirus rules?",
                 "How have people reacted to the mass burials on Hart Island?",
                 "What penalties does England's self-isolation law set?",
                 "What did the grid operator do at each stage of California's emergency?",
                 "How do the coronavirus case counts differ between New York, Spain and Italy?"],
}


def _questions(path) -> list[str]:
    return [json.loads(line)["question"] for line in open(path, encoding="utf-8") if line.strip()]


def _spread(pipeline, question: str, share: float) -> int:
    """Articles holding a sentence that scores at least share of the best."""
    found = pipeline.find(question, top_k=10, plain=True)
    return len({found.passages[e.passage].source for e in found.evidence if e.support >= share * found.best})


def _report(name: str, fact_scores: list[float], meaning_scores: list[float]) -> None:
    bar = max(fact_scores)
    print(f"{name}: {len(fact_scores)} fact questions score at most {bar:.2f}; above it "
          f"{sum(s > bar for s in meaning_scores)} of {len(meaning_scores)} keyword-free ones; AUC "
          f"{auc(meaning_scores, fact_scores) or 0.0:.3f}")


def _by_embedding(embedder, questions: list[str]) -> list[float]:
    """Mean cosine to the NEAREST several-statement prototypes less that to the NEAREST one-fact ones."""
    import numpy as np

    def unit(texts: list[str]):
        v = np.asarray(embedder.embed(texts))
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    q = unit(questions)
    several, one = (np.sort(q @ unit(p).T, axis=1)[:, -NEAREST:].mean(axis=1) for p in PROTOTYPES)
    return [float(x) for x in several - one]


def main() -> None:
    from qa.llm.factory import make_llm
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    facts = {"seeds": _questions(HERE / "datasets" / "seeds.jsonl"),
             "realnews": _questions(DEFAULT_BENCHMARKS / "realnews" / "questions.jsonl")}
    squad = [q["question"] for q in json.loads((DEFAULT_BENCHMARKS / "squad2" / "queries.json").read_text())["queries"]]
    random.Random(0).shuffle(squad)
    facts["squad2"] = squad[:100]
    every_fact = [q for qs in facts.values() for q in qs]
    every_meant = [q for qs in MEANING.values() for q in qs]
    llm = make_llm(Settings())
    for name, system, tail in (("model", ROUTE_SYSTEM, ""), ("model with examples", FEW_SHOT_SYSTEM, " ->")):
        _report(name, [llm.judge(system, f"Question: {q}{tail}") for q in every_fact],
                [llm.judge(system, f"Question: {q}{tail}") for q in every_meant])
    pipelines = {name: NewsQA(Settings(collection=f"eval-{name}", answerer="extractive")) for name in facts}
    by_meaning = _by_embedding(pipelines["seeds"].embedder, every_fact + every_meant)
    _report("embedding", by_meaning[:len(every_fact)], by_meaning[len(every_fact):])
    complete: dict[str, list[float]] = {"fact": [], "meaning": []}
    for name, pipeline in pipelines.items():
        for kind, questions in (("fact", facts[name]), ("meaning", MEANING.get(name, []))):
            for q in questions:
                found = pipeline.find(q, plain=True)
                best = found.evidence[0].sentence if found.evidence else ""
                complete[kind].append(-llm.judge(COMPLETE_SYSTEM, f"Question: {q}\n\nSentence: {best}"))
    _report("completeness of the best sentence", complete["fact"], complete["meaning"])
    for name, questions in MEANING.items():
        pipeline = pipelines[name]
        for share in (0.8, 0.9):
            fact = [_spread(pipeline, q, share) for q in facts[name]]
            meant = [_spread(pipeline, q, share) for q in questions]
            for at_least in (2, 3):
                print(f"spread {name} ({share:.0%} of the best), {at_least}+ articles: fact questions "
                      f"{sum(s >= at_least for s in fact)} of {len(fact)}, keyword-free "
                      f"{sum(s >= at_least for s in meant)} of {len(meant)}")


if __name__ == "__main__":
    main()
