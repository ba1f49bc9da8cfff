"""Annotations: kind is checked and interpreted; role, name and cluster belong to the builder."""

from __future__ import annotations

import pytest

from micrograd_like import Value
from micrograd_like.annotation import KINDS, Annotation, annotate, annotation_of, text_of


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_accepted_and_only_constant_is_constant(kind):
    assert Annotation(kind=kind).is_constant == (kind == "constant")


def test_an_unknown_kind_is_refused_naming_the_kinds():
    with pytest.raises(ValueError, match="unknown annotation kind 'weight'; expected one of"):
        Annotation(kind="weight")


def test_any_role_and_any_root_role_in_grad_names_is_the_builders_to_choose():
    note = Annotation(role="rate constant", grad_names={"free energy": "μ"})
    assert note.role == "rate constant" and note.grad_names["free energy"] == "μ"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"role": 3}, "role must be a str"),
        ({"grad_names": {1: "g"}}, "root role must be a str"),
        ({"grad_names": {"U": {}}}, r"grad_names\['U'\] must be a str"),
        ({"cluster": ["box"]}, "cluster must be a tuple"),
        ({"name": {"short": 1}}, "name must be a str or a non-empty mapping"),
    ],
)
def test_malformed_fields_raise_type_error_naming_the_field(fields, message):
    with pytest.raises(TypeError, match=message):
        Annotation(**fields)


def test_annotate_tags_the_value_and_returns_it():
    v = Value(1.0)
    assert annotate(v, kind="input", name="x") is v
    assert annotation_of(v).kind == "input" and text_of(annotation_of(v).name, None) == "x"


def test_annotate_refuses_a_number():
    with pytest.raises(TypeError, match="expected a Value, got float"):
        annotate(1.0, name="x")
