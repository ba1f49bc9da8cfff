"""nn.io: JSON round trip, and every bad file raising while leaving the model untouched."""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pytest

from nn import MLP, io
from nn.io import save


@pytest.fixture
def saved(tmp_path):
    mlp = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=1)
    mlp.layers[0].neurons[0].b.data = 0.1 + 0.2  # a float whose repr needs 17 digits
    path = tmp_path / "mlp.json"
    io.save(mlp, path)
    return mlp, path


def params(mlp):
    return [p.data for p in mlp.parameters()]


def test_round_trip_restores_every_parameter_exactly(saved):
    mlp, path = saved
    other = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=2)
    io.load(other, path)
    assert params(other) == params(mlp)


def test_load_mlp_builds_the_same_network_from_the_file(saved):
    mlp, path = saved
    other = io.load_mlp(path)
    assert other.sizes == mlp.sizes and other.activations == mlp.activations
    assert params(other) == params(mlp)


def test_file_is_plain_json_with_format_version_and_nielsen_layout(saved):
    mlp, path = saved
    data = json.loads(path.read_text())
    assert data["format"] == io.FORMAT and data["version"] == io.VERSION == 1
    assert data["sizes"] == [3, 4, 2] and data["activations"] == ["tanh", "sigmoid"]
    ws, bs = mlp.to_matrices()
    assert np.array_equal(np.array(data["weights"][1]), ws[1])
    assert np.array_equal(np.array(data["biases"][0]), bs[0])


def corrupt(path, edit):
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    "edit, error, words",
    [
        (lambda d: d.update(version=2), ValueError, "unsupported version 2"),
        (lambda d: d.update(version=True), ValueError, "unsupported version"),
        (lambda d: d.update(format="other"), ValueError, "not a 'micrograd-like/mlp' file"),
        (lambda d: d.update(sizes=[3, 5, 2]), ValueError, "weights[0] must be a 5 x 3"),
        (lambda d: d.update(activations=["relu", "sigmoid"]), ValueError,
         "activations ['relu', 'sigmoid'] differ"),
        (lambda d: d.update(activations=["gelu", "sigmoid"]), ValueError, "'activations'"),
        (lambda d: d["weights"][1][0].__setitem__(2, "0.5"), TypeError,
         "weights[1][0][2] must be a number, got str"),
        (lambda d: d["weights"][1][1].__setitem__(0, True), TypeError,
         "weights[1][1][0] must be a number, got bool"),
        (lambda d: d["biases"][1].pop(), ValueError, "biases[1] must be a list of 2 numbers"),
        (lambda d: d["weights"][1][1].pop(), ValueError, "weights[1] must be a 2 x 4"),
        (lambda d: d.pop("biases"), TypeError, "'biases' must be a list"),
        (lambda d: d.update(sizes=[3, 0, 2]), ValueError, "positive ints"),
    ],
)
def test_bad_file_raises_and_leaves_the_model_untouched(saved, edit, error, words):
    _, path = saved
    corrupt(path, edit)
    target = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=5)
    before = params(target)
    with pytest.raises(error, match=re.escape(words)):
        io.load(target, path)
    assert params(target) == before


def test_a_model_of_other_sizes_is_refused(saved):
    _, path = saved
    target = MLP(3, [5, 2], activation="tanh", output_activation="sigmoid")
    before = params(target)
    with pytest.raises(ValueError, match=re.escape("sizes [3, 4, 2] differ from the model's")):
        io.load(target, path)
    assert params(target) == before


def test_a_bad_number_late_in_the_file_still_assigns_nothing(saved):
    _, path = saved
    corrupt(path, lambda d: d["biases"][-1].__setitem__(-1, "x"))  # the very last number
    target = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=5)
    before = params(target)
    with pytest.raises(TypeError):
        io.load(target, path)
    assert params(target) == before


@pytest.mark.parametrize("text, words", [("{not json", "not valid JSON"),
                                         ('{"format": NaN}', "NaN"),
                                         ("[1, 2]", "expected a JSON object")])
def test_not_json_nan_or_wrong_top_level_raise(tmp_path, text, words):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises((ValueError, TypeError), match=words):
        io.load(MLP(3, [4, 2]), path)


def test_save_refuses_something_that_is_not_an_mlp(tmp_path):
    with pytest.raises(TypeError, match="expected an MLP"):
        io.save([1, 2], tmp_path / "x.json")


def test_save_is_atomic_a_failed_save_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "mlp.json"
    mlp = MLP(2, [3, 1], seed=0)
    save(mlp, path)
    before = path.read_bytes()
    mlp.parameters()[0].data = float("nan")  # JSON has no NaN: the save must fail
    with pytest.raises(ValueError):
        save(mlp, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["mlp.json"]


def test_saved_file_gets_the_usual_mode_not_private(tmp_path):
    path = tmp_path / "mlp.json"
    save(MLP(2, [3, 1], seed=0), path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
