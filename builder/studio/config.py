"""The labeling interface, generated from one definition.

Annotators read the claim inside its article (plain ``<Text>``, never HTML), with its source,
date and link, the same claim's wording in other articles when grouping ran, and any
conflicts. They give one verdict, mark evidence passages in the article, list evidence URLs
with the quoted passage, write a rationale and rate their confidence.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from builder.records import VERDICT_LABELS

VERDICT_HINTS = {
    "supported": "the evidence shows the claim is true",
    "refuted": "the evidence shows the claim is false",
    "not_enough_evidence": "no evidence found either way",
    "conflicting_evidence": "credible evidence points both ways",
    "not_a_claim": "an opinion, prediction or nothing checkable",
}

# names of the controls, shared with sync.py (which reads results by these names)
ARTICLE = "article"
SPANS = "spans"
CLAIM_LABEL = "Claim"  # the pre-annotated highlight of the claim itself (a prediction)
EVIDENCE_LABEL = "Evidence"
VERDICT = "verdict"
EVIDENCE_URLS = "evidence_urls"
RATIONALE = "rationale"
CONFIDENCE = "confidence"
MAX_CONFIDENCE = 5

# task data fields (every task carries all of them: Label Studio rejects a task missing one);
# never "source": Label Studio resolves $source to the whole task as JSON
DATA_FIELDS = ("claim", "article", "provenance", "other_wordings", "conflicts", "annotators_said")


def _choice(label: str) -> str:
    return f"    <Choice value={quoteattr(label)} hint={quoteattr(VERDICT_HINTS[label])}/>"


def label_config(review: bool = False) -> str:
    """The Label Studio XML of the interface; ``review`` adds what the annotators said."""
    choices = "\n".join(_choice(label) for label in VERDICT_LABELS)
    review_panel = (
        """
  <Header value="What the annotators said" size="5"/>
  <Text name="annotators_said" value="$annotators_said"/>"""
        if review
        else ""
    )
    return f"""<View>
  <Header value="Claim" size="4"/>
  <Text name="claim" value="$claim"/>
  <Text name="provenance" value="$provenance"/>
  <Header value="Same claim in other articles" size="5"/>
  <Text name="other_wordings" value="$other_wordings"/>
  <Header value="Conflicts found" size="5"/>
  <Text name="conflicts" value="$conflicts"/>{review_panel}
  <Header value="Verdict" size="4"/>
  <Choices name="{VERDICT}" toName="{ARTICLE}" choice="single-radio" required="true" showInline="true">
{choices}
  </Choices>
  <Header value="Article (the claim is highlighted; mark evidence passages with the Evidence label)" size="5"/>
  <Labels name="{SPANS}" toName="{ARTICLE}">
    <Label value="{EVIDENCE_LABEL}" background="#2e7d32"/>
    <Label value="{CLAIM_LABEL}" background="#f9a825"/>
  </Labels>
  <Text name="{ARTICLE}" value="$article" granularity="word"/>
  <Header value="Evidence URLs: one per line, the URL then the quoted passage" size="5"/>
  <TextArea name="{EVIDENCE_URLS}" toName="{ARTICLE}" rows="3" editable="true" maxSubmissions="1"
            placeholder="https://example.org/report  the quoted passage"/>
  <Header value="Rationale" size="5"/>
  <TextArea name="{RATIONALE}" toName="{ARTICLE}" rows="3" editable="true" maxSubmissions="1"/>
  <Header value="Confidence" size="5"/>
  <Rating name="{CONFIDENCE}" toName="{ARTICLE}" maxRating="{MAX_CONFIDENCE}"/>
</View>
"""
