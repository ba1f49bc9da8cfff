"""What the notebooks' text says about their own outputs, checked against the outputs stored
in the committed .ipynb files: counts, percentages, directions of trends.

These tests read the stored outputs (they do not run the notebooks: nbmake does that), so a
rebuild that changes a number the text relies on fails here, next to the sentence."""

import itertools
import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ALL = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def cell_texts(name):
    """The text each code cell printed or returned, one string per code cell."""
    nb = nbformat.read(next(NOTEBOOKS.glob(f"{name}_*.ipynb")), as_version=4)
    texts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        parts = [o.get("text", "") for o in cell.outputs if o.output_type == "stream"]
        parts += [o["data"].get("text/plain", "") for o in cell.outputs if "data" in o]
        texts.append("".join(parts))
    return texts


def printed(name):
    return "\n".join(cell_texts(name))


def numbers(pattern, text):
    """Every number the groups of ``pattern`` match in ``text``, in order."""
    found = []
    for m in re.finditer(pattern, text):
        found += [float(g.replace(",", "")) for g in m.groups()]
    return found


# --------------------------------------------------------------------------------------
# every notebook
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem[:2])
def test_no_cell_shows_the_same_picture_twice(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        pictures = [o["data"]["image/png"] for o in cell.get("outputs", [])
                    if "data" in o and "image/png" in o["data"]]
        assert len(pictures) == len(set(pictures)), cell.source[:80]


# --------------------------------------------------------------------------------------
# 01 · backward's gradient semantics
# --------------------------------------------------------------------------------------


def test_01_a_second_backward_doubles_a_leafs_grad():
    once, twice = numbers(r"after one backward (-?[\d.]+), after two (-?[\d.]+)", printed("01"))
    assert twice == pytest.approx(2 * once, abs=2e-6)


# --------------------------------------------------------------------------------------
# 03 · BP1–BP4 one step at a time
# --------------------------------------------------------------------------------------


def test_03_bp1_names_the_output_layer_by_nielsens_L():
    text = printed("03")
    widths = re.search(r"MLP\(3 → 4 sigmoid → 3 sigmoid → 2 sigmoid", text)
    assert widths  # three layers of neurons after the input: L = 4
    assert "BP1   δᴸ = δ⁴ =" in text


def test_03_the_averaged_costs_gradient_is_the_mean_of_one_example_gradients():
    gaps = numbers(r"largest \|∂C/∂w − mean of ∂Cₓ/∂w\| = ([\d.e+-]+)", printed("03"))
    assert len(gaps) == 2 and max(gaps) < 1e-12


# --------------------------------------------------------------------------------------
# 07 · Nielsen's network
# --------------------------------------------------------------------------------------


def test_07_the_op_node_and_instruction_counts_agree_with_the_tape():
    text = printed("07")
    n_nodes, n_instr = numbers(r"Tape\((\d+) op nodes in (\d+) instructions", text)
    listed = re.search(r"instructions: (.*)", text).group(1).split(", ")
    sizes = [int(item.split("×")[1]) for item in listed]
    assert (n_nodes, n_instr) == (sum(sizes), len(listed))
    assert numbers(r"(\d+) op nodes of the scalar graph run as (\d+) numpy", text) == [
        n_nodes, n_instr]


def test_07_the_hidden_layers_thirty_dots_and_sigmoids_are_one_instruction_each():
    listed = re.search(r"instructions: (.*)", printed("07")).group(1).split(", ")
    assert listed[:2] == ["dot×30", "sigmoid×30"]


def test_07_the_network_has_23860_parameters():
    assert "23860 parameter Values" in printed("07")
    assert 784 * 30 + 30 + 30 * 10 + 10 == 23_860


def test_07_gaussian_weights_give_z_a_std_near_9_and_saturate_most_hidden_neurons():
    text = printed("07")
    std, saturated = numbers(r"N\(0, 1\) +initial hidden z: std +([\d.]+), saturated "
                             r"\(\|z\| > 4\): (\d+)%", text)
    assert 8.5 <= std < 9.5 and saturated > 50
    std_scaled, saturated_scaled = numbers(r"N\(0, 1/784\) +initial hidden z: std +([\d.]+), "
                                           r"saturated \(\|z\| > 4\): (\d+)%", text)
    assert std_scaled < 1 and saturated_scaled == 0


@pytest.fixture(scope="module")
def table_07():
    """The table 'What each change did': run -> (epoch 1, final, last 5, best, train)."""
    rows = {}
    for line in printed("07").splitlines():
        m = re.match(r"^(.+?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", line)
        if m and not line.startswith("run"):
            rows[m.group(1).strip()] = [float(m.group(i)) for i in range(2, 7)]
    assert len(rows) == 4, rows
    return rows


def test_07_predict_gives_the_accuracy_fit_recorded():
    text = printed("07")
    recorded = numbers(r"held-out accuracy ([\d.]+), training", text)[0]
    assert numbers(r"held-out accuracy ([\d.]+); a weight", text) == [recorded]


def test_07_cross_entropy_speeds_up_the_start(table_07):
    assert table_07["+ cross-entropy"][0] > table_07["chapter 1: quadratic, N(0, 1)"][0]


def test_07_scaled_weights_are_the_largest_single_gain(table_07):
    last5 = [row[2] for row in table_07.values()]
    gains = [b - a for a, b in itertools.pairwise(last5)]
    assert gains[1] == max(gains)


def test_07_l2_fits_the_training_set_less_and_moves_held_out_accuracy_by_under_1_percent(
        table_07):
    scaled, l2 = table_07["+ scaled initial weights"], table_07["+ L2, λ = 0.4 (chapter 3)"]
    assert l2[4] < scaled[4]
    assert abs(l2[2] - scaled[2]) < 0.01


# --------------------------------------------------------------------------------------
# 08 · backprop up close
# --------------------------------------------------------------------------------------


def test_08_the_demon_agrees_with_delta_to_within_1e_5_for_all_eight_neurons():
    rows = re.findall(r"^\s+(z\S+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.e+-]+)$",
                      printed("08"), re.M)
    assert len(rows) == 8
    assert max(abs(float(r[4])) for r in rows) < 1e-5
    output = [abs(float(r[3])) for r in rows if r[0].startswith("z⁴")]
    hidden = [abs(float(r[3])) for r in rows if not r[0].startswith("z⁴")]
    assert min(output) > max(hidden)  # "the output layer's δ are the largest here"


def test_08_every_parameter_has_one_child_and_its_grad_is_delta_times_the_local_derivative():
    rows = re.findall(r"^\s+([bw]\S+)\s+(\d+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)$",
                      printed("08"), re.M)
    assert len(rows) == 9  # the 2-2-1 network's 6 + 3 parameters
    assert all(r[1] == "1" and r[3] == r[4] for r in rows)
    assert all(r[2] == "1.000000" for r in rows if r[0].startswith("b"))


def test_08_backprop_makes_p_times_fewer_operations_and_the_ratio_grows():
    rows = re.findall(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d,]+)\s+([\d,]+)\s+(\d+)$",
                      printed("08"), re.M)
    assert len(rows) == 6
    P = [int(r[1]) for r in rows]
    ratios = [int(r[6]) for r in rows]
    assert ratios == P and ratios == sorted(ratios)
    assert all(int(r[3]) == 2 * int(r[1]) for r in rows)  # two forward passes per parameter


def test_08_the_counted_slopes_are_2_and_1():
    slope_num, slope_bp = numbers(r"numerical ([\d.]+), backprop ([\d.]+) \(the counting",
                                  printed("08"))
    assert slope_num == pytest.approx(2, abs=0.05) and slope_bp == pytest.approx(1, abs=0.05)


def test_08_sigmoid_loses_orders_of_magnitude_tanh_much_less_relu_about_one():
    text = printed("08")
    ratio = {act: numbers(rf"{act}: mean \|δ\| .* ratio ([\d.e+-]+)", text)[0]
             for act in ("sigmoid", "tanh", "relu")}
    assert ratio["sigmoid"] > 1e3
    assert ratio["tanh"] < ratio["sigmoid"] / 100
    assert ratio["relu"] < 20


def test_08_each_step_back_shrinks_delta_by_at_most_a_quarter_of_the_spectral_norm():
    rows = re.findall(r"^\s+(\d+)\s+([\d.]+)\s+([\d.]+)$", printed("08"), re.M)
    assert len(rows) == 10
    assert all(float(shrink) <= float(bound) for _, shrink, bound in rows)


def test_08_the_four_paths_add_up_to_the_engines_gradient():
    text = printed("08")
    assert len(re.findall(r"w²₁₁ → a²₁ → a³. → a⁴. → C", text)) == 4
    products = numbers(r"→ C(?:\s+-?[\d.]+){4}\s+(-?[\d.e+-]+)", text)
    total, = numbers(r"sum over the four paths (-?[\d.e+-]+)", text)
    grad, = numbers(r"w²₁₁.grad from backward (-?[\d.e+-]+)", text)
    assert total == grad
    assert sum(products) == pytest.approx(total, rel=1e-3)
