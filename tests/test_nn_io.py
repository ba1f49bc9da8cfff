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
        (lambda d: d.update(sizes=[3, 5, 2]), ValueError,
         "sizes [3, 5, 2] differ from the model's [3, 4, 2]"),
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


def _write_over(path, old, new):
    path.write_text(path.read_text().replace(old, new, 1))


@pytest.mark.parametrize("number", ["1" * 400, "-" + "9" * 400, "1" * 5000, "1e400"])
def test_a_number_beyond_the_float_range_is_a_value_error_and_assigns_nothing(saved, number):
    _, path = saved
    corrupt(path, lambda d: d["weights"][0][0].__setitem__(0, 12345.0))
    _write_over(path, "12345.0", number)
    target = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=5)
    before = params(target)
    with pytest.raises(ValueError, match=r"weights\[0\]\[0\]\[0\] is not finite"):
        io.load(target, path)
    assert params(target) == before


def test_from_dict_with_a_python_int_beyond_the_float_range_is_a_value_error(saved):
    _, path = saved
    data = json.loads(path.read_text())
    data["biases"][0][0] = 10**400
    with pytest.raises(ValueError, match=r"biases\[0\]\[0\] is not finite .*401 digits"):
        io.from_dict(data)


def test_a_deeply_nested_file_is_a_value_error_and_assigns_nothing(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"format": ' + "[" * 100_000 + "]" * 100_000 + "}")
    target = MLP(3, [4, 2], seed=5)
    before = params(target)
    with pytest.raises(ValueError, match="nested too deeply"):
        io.load(target, path)
    assert params(target) == before


def test_a_file_over_max_bytes_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.json"
    with open(path, "wb") as f:  # a sparse 1 GB file: no disk space, no time
        f.truncate(10**9)
    monkeypatch.setattr("builtins.open", _open_without_read(open))
    target = MLP(3, [4, 2], seed=5)
    before = params(target)
    with pytest.raises(ValueError, match="1,000,000,000 bytes, more than max_bytes=100,000,000"):
        io.load(target, path)
    with pytest.raises(ValueError, match="more than max_bytes"):
        io.load_mlp(path)
    assert params(target) == before


def _open_without_read(real_open):
    """``open`` whose files fail the test if they are read: the size must be checked first."""
    def opener(*args, **kwargs):
        f = real_open(*args, **kwargs)

        class NoRead:
            def __getattr__(self, name):
                if name.startswith("read"):
                    raise AssertionError("the file was read before its size was checked")
                return getattr(f, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return f.__exit__(*exc)

        return NoRead()
    return opener


def test_max_bytes_can_be_lowered_and_a_stream_without_a_size_is_capped_too(saved):
    mlp, path = saved
    with pytest.raises(ValueError, match="more than max_bytes=100"):
        io.load(mlp, path, max_bytes=100)
    if os.path.exists("/dev/zero"):  # fstat says 0 bytes, the read never ends by itself
        with pytest.raises(ValueError, match="more than max_bytes=1,000"):
            io.load(mlp, "/dev/zero", max_bytes=1000)


def test_load_mlp_refuses_a_small_file_describing_a_huge_network_before_building(
        tmp_path, monkeypatch):
    n = 3_000_000  # 1-n-1: 3n + 1 parameters in about 8n bytes of zeros
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({
        "format": "micrograd-like/mlp", "version": 1, "sizes": [1, n, 1],
        "activations": ["relu", "linear"], "weights": [[[0]] * n, [[0] * n]],
        "biases": [[0] * n, [0]]}, separators=(",", ":")))
    assert path.stat().st_size < 25_000_000  # well under MAX_BYTES
    monkeypatch.setattr(io, "_number", lambda *a: pytest.fail("numbers converted"))
    with pytest.raises(ValueError, match="network of 9,000,001 parameters, more than "
                                         "max_parameters=2,000,000"):
        io.load_mlp(path)


def test_max_parameters_can_be_raised(saved):
    mlp, path = saved
    with pytest.raises(ValueError, match="max_parameters=10"):
        io.load_mlp(path, max_parameters=10)
    assert params(io.load_mlp(path, max_parameters=mlp.sizes[0] * 100)) == params(mlp)


def test_a_file_of_other_huge_sizes_is_refused_before_its_numbers_are_read(saved,
                                                                         monkeypatch):
    _, path = saved
    corrupt(path, lambda d: d.update(sizes=[3, 10**12, 2]))
    monkeypatch.setattr(io, "_number", lambda *a: pytest.fail("numbers converted"))
    target = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=5)
    with pytest.raises(ValueError, match=r"sizes \[3, 1000000000000, 2\] differ"):
        io.load(target, path)
