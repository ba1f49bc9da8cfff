"""The hand-over to PyTorch: an :class:`~nn.MLP` as a ``torch.nn.Sequential``, and back.

A layer of neurons is what ``torch.nn.Linear(n_in, n_out)`` computes, z = x Wᵀ + b, and
its ``weight`` of shape (n_out, n_in) is Nielsen's wˡ: row j holds the weights into neuron
j, so ``linear.weight[j, k]`` is ``mlp.layers[l].neurons[j].w[k]`` (Nielsen's wˡ⁺²ⱼₖ with
his 1-based layers, the input being his layer 1), and ``linear.bias[j]`` is
``mlp.layers[l].neurons[j].b``.  Layer l of the MLP becomes the ``Linear`` followed by its
activation module (``Sigmoid``, ``Tanh``, ``ReLU``; none for "linear"), in order::

    MLP(784 → 30 sigmoid → 10 linear)  ⇄  Sequential(Linear(784, 30), Sigmoid(), Linear(30, 10))

The numbers are copied, never shared: training either side leaves the other unchanged.
PyTorch is optional; without it both calls raise ImportError naming how to install it.

>>> from nn import MLP
>>> mlp = MLP(2, [3, 1], activation="tanh", seed=0)
>>> model = to_torch(mlp)                              # doctest: +SKIP
>>> model                                              # doctest: +SKIP
Sequential(
  (0): Linear(in_features=2, out_features=3, bias=True)
  (1): Tanh()
  (2): Linear(in_features=3, out_features=1, bias=True)
)
>>> MLP.from_torch(model).to_matrices()[0][0].tolist() == mlp.to_matrices()[0][0].tolist()
... # doctest: +SKIP
True
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from nn.module import MLP

__all__ = ["to_torch", "from_torch", "TORCH_EXTRA"]

TORCH_EXTRA = 'pip install "micrograd-like[torch]" (or a build for your GPU from pytorch.org)'

# activation name → the torch.nn module class name that applies it
_MODULES = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}
_NAMES = {cls: name for name, cls in _MODULES.items()}


def _torch(who: str) -> Any:
    """The torch module, typed Any: by name, so type-checking needs no PyTorch installed."""
    try:
        torch = importlib.import_module("torch")
    except ImportError as exc:
        raise ImportError(f"{who} needs PyTorch, which is not installed: {TORCH_EXTRA}") from exc
    return torch


def to_torch(mlp: MLP, dtype: Any = None, device: Any = None) -> Any:
    """The same network as an ordinary ``torch.nn.Sequential`` of ``Linear`` layers and
    activation modules, with a copy of ``mlp``'s weights and biases.

    Args:
        mlp: the network to hand over.
        dtype: the parameters' dtype (default ``torch.float64``, the engine's precision,
            so that outputs and gradients agree to rounding).
        device: where to put the parameters (default: PyTorch's default, the CPU).

    Raises:
        ImportError: PyTorch is not installed (the message says how to install it).
        TypeError: ``mlp`` is not an :class:`~nn.MLP`.
    """
    torch = _torch("nn.to_torch")
    if not isinstance(mlp, MLP):
        raise TypeError(f"to_torch: expected an nn.MLP, got {type(mlp).__name__}")
    dtype = torch.float64 if dtype is None else dtype
    weights, biases = mlp.to_matrices()
    modules = []
    for w, b, act in zip(weights, biases, mlp.activations):
        linear = torch.nn.Linear(w.shape[1], w.shape[0], dtype=dtype, device=device)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))  # (n_out, n_in): Nielsen's wˡ
            linear.bias.copy_(torch.from_numpy(b))
        modules.append(linear)
        if act != "linear":
            modules.append(getattr(torch.nn, _MODULES[act])())
    return torch.nn.Sequential(*modules)


def from_torch(module: Any, z: str = "dot") -> MLP:
    """An :class:`~nn.MLP` with a copy of the parameters of a ``torch.nn.Sequential`` of
    ``Linear`` layers, each followed by at most one ``Sigmoid``, ``Tanh``, ``ReLU`` or
    ``Identity`` (none: a linear layer), as :func:`to_torch` makes.

    Every hidden layer must have the same activation (an MLP has one hidden activation and
    one for the output layer).  A ``Linear`` without a bias gets biases 0.  The values are
    read as float64 (exact for float32 and float64 parameters), from any device.

    Raises:
        ImportError: PyTorch is not installed.
        TypeError: ``module`` is not a ``torch.nn.Sequential``.
        ValueError: it holds a module other than those above, two activations in a row, an
            activation first, mismatched widths, or hidden layers with different
            activations; the message names the module and its index.
    """
    torch = _torch("nn.MLP.from_torch")
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(f"from_torch: expected a torch.nn.Sequential of Linear layers and "
                        f"activations, got {type(module).__name__}")
    weights: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    acts: list[str | None] = []  # per Linear: its activation, None until one is seen
    for i, m in enumerate(module):
        kind = type(m).__name__
        if isinstance(m, torch.nn.Linear):
            w = m.weight.detach().to("cpu", torch.float64).numpy().copy()
            b = (m.bias.detach().to("cpu", torch.float64).numpy().copy() if m.bias is not None
                 else np.zeros(w.shape[0]))
            if weights and w.shape[1] != weights[-1].shape[0]:
                raise ValueError(f"from_torch: module {i} is {m} but the layer before it has "
                                 f"{weights[-1].shape[0]} outputs")
            weights.append(w)
            biases.append(b)
            acts.append(None)
        elif kind in _NAMES or isinstance(m, torch.nn.Identity):
            if not acts or acts[-1] is not None:
                raise ValueError(f"from_torch: module {i} ({kind}) must follow a Linear layer "
                                 f"directly")
            acts[-1] = _NAMES.get(kind, "linear")
        else:
            raise ValueError(f"from_torch: module {i} is {kind}; an MLP is Linear layers, each "
                             f"followed by at most one of Sigmoid, Tanh, ReLU, Identity")
    if not weights:
        raise ValueError("from_torch: the Sequential has no Linear layer")
    names = [a or "linear" for a in acts]
    hidden = set(names[:-1])
    if len(hidden) > 1:
        raise ValueError(f"from_torch: the hidden layers have different activations "
                         f"{names[:-1]}; an MLP has one hidden activation")
    activation = hidden.pop() if hidden else "sigmoid"
    return MLP.from_matrices(weights, biases, activation=activation,
                             output_activation=names[-1], z=z)
