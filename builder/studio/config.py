"""The labeling interface and its instructions, generated from one definition.

Annotators read the claim in its paragraph first (the paragraphs around it, the claim marked),
its labelled source with a link, the same fact as other outlets word it, and any conflicts in
plain words; the whole article follows (plain ``<Text>``, where evidence is marked). They give
one verdict, mark evidence passages, list evidence URLs with the quoted passage, write a
rationale (required for ``refuted`` and ``conflicting_evidence``) and rate their confidence.
The interface enforces what is required; nothing of another annotator or of the model is shown.
Only claimset's own escaped HTML reaches a ``<HyperText>``; article text is never HTML.
"""

from __future__ import annotations

from html import escape
from xml.sax.saxutils import quoteattr

from builder.records import VERDICT_LABELS

VERDICT_HINTS = {
    "supported": "the evidence shows the claim is true",
    "refuted": "the evidence shows the claim is false",
    "not_enough_evidence": "no evidence found either way",
    "conflicting_evidence": "credible evidence points both ways",
    "not_a_claim": "an opinion, prediction or nothing checkable",
}
RATIONALE_REQUIRED_FOR = ("refuted", "conflicting_evidence")

# names of the controls, shared with pull.py (which reads results by these names)
ARTICLE = "article"
SPANS = "spans"
EVIDENCE_LABEL = "Evidence"
VERDICT = "verdict"
EVIDENCE_URLS = "evidence_urls"
RATIONALE = "rationale"
RATIONALE_REQUIRED = "rationale_required"  # the same rationale, shown (and required) for some verdicts
CONFIDENCE = "confidence"
MEMBERS = "members"  # --by cluster: every outlet's wording, one per line
MEMBER_VERDICTS = "member_verdicts"  # a member that differs, marked with its own verdict
MAX_CONFIDENCE = 5

# task data fields (every task carries all of them: Label Studio rejects a task missing one);
# never "source": Label Studio resolves $source to the whole task as JSON
DATA_FIELDS = (
    "claim",
    "context",
    "article",
    "provenance",
    "other_wordings",
    "conflicts",
    "annotators_said",
    "members",
)

STEPS = (
    "Read the <b>claim</b> in its paragraph (marked in yellow), its <b>source</b> and how "
    "<b>other outlets</b> word the same fact; the conflicts claimset found between them are listed in "
    "plain words.",
    "Check the claim: in the article, in the other outlets' wordings, and in sources you trust.",
    "Choose one <b>verdict</b> (required).",
    "Mark <b>evidence</b> in the full article: press the <i>Evidence</i> label, then select the passage. "
    "Evidence from elsewhere goes in <b>Evidence URLs</b>, one per line: the URL, a space, the quoted passage.",
    "Write a short <b>rationale</b> (required for <i>refuted</i> and <i>conflicting_evidence</i>), rate "
    "your <b>confidence</b> (required, 1-5) and press <b>Submit</b>; <b>Skip</b> if you cannot judge it.",
)
CLUSTER_STEP = (
    "One task is one <b>fact</b>: the verdict applies to every wording listed under <b>Every outlet's "
    "wording</b>. If one wording differs (another number, a hedge), select that line there and press "
    "the verdict it deserves (<i>differs: ...</i>); it gets that verdict instead."
)
INDEPENDENCE = (
    "Work on your own: your project holds only your work. Do not open other annotators' projects, and "
    "do not discuss a claim with them before you have submitted it."
)


def instructions(by_cluster: bool = False) -> str:
    """The instructions Label Studio shows before and during labelling (HTML), with the label meanings."""
    steps = [*STEPS[:3], *([CLUSTER_STEP] if by_cluster else []), *STEPS[3:]]
    items = "".join(f"<li>{step}</li>" for step in steps)
    labels = "".join(f"<li><b>{label}</b>: {escape(VERDICT_HINTS[label])}</li>" for label in VERDICT_LABELS)
    return (
        f"<h3>How to label a claim</h3><ol>{items}</ol>"
        f"<h4>Verdicts</h4><ul>{labels}</ul><p>{INDEPENDENCE}</p>"
    )


def _choice(label: str, prefix: str = "") -> str:
    return f"    <Choice value={quoteattr(prefix + label)} hint={quoteattr(VERDICT_HINTS[label])}/>"


def _member_label(label: str) -> str:
    return f"    <Label value={quoteattr('differs: ' + label)} hint={quoteattr(VERDICT_HINTS[label])}/>"


def member_verdict(label_value: str) -> str | None:
    """The verdict of a member marked ``differs: LABEL`` (None for anything else)."""
    label = label_value.removeprefix("differs: ")
    return label if label != label_value and label in VERDICT_LABELS else None


def label_config(review: bool = False, by_cluster: bool = False) -> str:
    """The Label Studio XML of the interface; ``review`` adds what each annotator said,
    ``by_cluster`` every outlet's wording of the fact, each markable with its own verdict."""
    choices = "\n".join(_choice(label) for label in VERDICT_LABELS)
    required = ",".join(RATIONALE_REQUIRED_FOR)
    optional = ",".join(label for label in VERDICT_LABELS if label not in RATIONALE_REQUIRED_FOR)
    review_panel = (
        """
  <Header value="What the annotators said (verdict, confidence, rationale, evidence)" size="5"/>
  <Text name="annotators_said" value="$annotators_said"/>"""
        if review
        else ""
    )
    if by_cluster:
        member_labels = "\n".join(_member_label(label) for label in VERDICT_LABELS)
        wordings = f"""
  <Header value="Every outlet's wording of this fact (the verdict applies to each; mark one that differs)" size="5"/>
  <Labels name="{MEMBER_VERDICTS}" toName="{MEMBERS}" showInline="true">
{member_labels}
  </Labels>
  <Text name="{MEMBERS}" value="$members" granularity="paragraph"/>"""
    else:
        wordings = """
  <Header value="The same fact in other articles" size="5"/>
  <Text name="other_wordings" value="$other_wordings"/>"""
    return f"""<View>
  <Header value="Claim" size="4"/>
  <Text name="claim" value="$claim"/>
  <Header value="The claim in its article" size="5"/>
  <HyperText name="context" value="$context" inline="true"/>
  <Header value="Source" size="5"/>
  <HyperText name="provenance" value="$provenance" inline="true"/>{wordings}
  <Header value="Conflicts found between outlets" size="5"/>
  <Text name="conflicts" value="$conflicts"/>{review_panel}
  <Header value="Verdict (required)" size="4"/>
  <Choices name="{VERDICT}" toName="{ARTICLE}" choice="single-radio" required="true" showInline="true">
{choices}
  </Choices>
  <View visibleWhen="choice-selected" whenTagName="{VERDICT}" whenChoiceValue="{required}">
    <Header value="Rationale (required for this verdict)" size="5"/>
    <TextArea name="{RATIONALE_REQUIRED}" toName="{ARTICLE}" rows="3" editable="true" maxSubmissions="1"
              required="true" requiredMessage="Say why: a rationale is required for this verdict"/>
  </View>
  <View visibleWhen="choice-selected" whenTagName="{VERDICT}" whenChoiceValue="{optional}">
    <Header value="Rationale" size="5"/>
    <TextArea name="{RATIONALE}" toName="{ARTICLE}" rows="3" editable="true" maxSubmissions="1"/>
  </View>
  <Header value="Confidence (required)" size="5"/>
  <Rating name="{CONFIDENCE}" toName="{ARTICLE}" maxRating="{MAX_CONFIDENCE}" required="true"/>
  <Header value="Evidence URLs: one per line, the URL then the quoted passage" size="5"/>
  <TextArea name="{EVIDENCE_URLS}" toName="{ARTICLE}" rows="3" editable="true" maxSubmissions="1"
            placeholder="https://example.org/report  the quoted passage"/>
  <Header value="Full article: mark evidence passages with the Evidence label" size="5"/>
  <Labels name="{SPANS}" toName="{ARTICLE}">
    <Label value="{EVIDENCE_LABEL}" background="#2e7d32"/>
  </Labels>
  <Text name="{ARTICLE}" value="$article" granularity="word"/>
</View>
"""
