"""The codebook: YAML data, validated on load, executable as spaCy rules, exchangeable as REFI-QDA .qdc."""

from .loader import content_hash, load_codebook, parse_codebook
from .matching import RuleMatch, RuleMatcher
from .model import Code, Codebook, ContextTrigger, Poles, Rule

__all__ = [
    "Code", "Codebook", "ContextTrigger", "Poles", "Rule", "RuleMatch", "RuleMatcher", "content_hash",
    "load_codebook", "parse_codebook",
]
