"""Short explanations of every operation of the plan, written for students."""
from __future__ import annotations

from .network import NetworkSpec
from .plan import Operation, symbol

_ACTIVATION = {
    "relu": "ReLU keeps positive entries and sets the rest to 0; a unit whose z ≤ 0 outputs 0 and, "
            "in the backward pass, lets no gradient through (g'(z) = 0).",
    "leaky_relu": "Leaky ReLU keeps positive entries and multiplies negative ones by 0.01, so even an "
                  "inactive unit passes a little gradient back (g'(z) = 0.01).",
    "tanh": "tanh squashes every entry into (−1, 1); its slope 1 − tanh²(z) is 1 at 0 and nearly 0 for "
            "|z| > 3, where the unit saturates.",
    "sigmoid": "σ squashes every entry into (0, 1); its slope σ(1 − σ) is at most 1/4, so stacked "
               "sigmoid layers shrink gradients.",
    "linear": "A linear layer passes Z on unchanged (g(z) = z, g'(z) = 1).",
    "softmax": "softmax turns each column into probabilities over the classes (positive, summing to 1).",
}


def _forward(op: Operation, spec: NetworkSpec) -> str:
    l = op.layer
    n_l, n_prev = spec.weight_shape(l)
    if op.kind == "linear":
        text = (
            f"Each column of A[{l - 1}] is one example. W[{l}] ({n_l}×{n_prev}) maps it to {n_l} "
            f"weighted sums, and b[{l}] ({n_l}×1) is added to every column (numpy broadcasting). "
            f"Z[{l}] is kept in the cache: the backward pass needs g'(Z[{l}])."
        )
        if l == 1:
            text += (
                " A slip in the notes' template: it writes Z = Wᵀ·A. With W stored as (n[l], n[l−1]) the "
                "product is W·A; Wᵀ·A only multiplies at all when n[l] = n[l−1], and then computes something else."
            )
        return text
    text = f"A[{l}] = g(Z[{l}]) entry by entry. {_ACTIVATION[spec.activation(l)]}"
    if l == spec.L:
        return text + f" A[{l}] is the network's prediction."
    return text + f" A[{l}] feeds layer {l + 1} and is cached: dW[{l + 1}] = dZ[{l + 1}]·A[{l}]ᵀ needs it."


def _cost(spec: NetworkSpec) -> str:
    L = spec.L
    if spec.output == "sigmoid":
        return (
            "The cross-entropy averages the loss of the m examples (the 1/m): −ln A for a 1 label, "
            f"−ln(1 − A) for a 0 label. nnviz evaluates ln A[{L}] and ln(1 − A[{L}]) from Z[{L}] "
            "(ln σ(z) = −ln(1 + e^−z)): the same numbers, without log(0) when A rounds to exactly 0 or 1."
        )
    if spec.output == "softmax":
        return (
            f"The categorical cross-entropy averages −ln of the probability A[{L}] gives the right class "
            f"(Y is one-hot). nnviz takes ln A[{L}] from Z[{L}] (log-softmax), so it never takes log(0)."
        )
    return "Half the mean of the squared errors over the m examples; the ½ makes its derivative A − Y."


def _backward(op: Operation, spec: NetworkSpec) -> str:
    l, L = op.layer, spec.L
    n_l, n_prev = spec.weight_shape(l)
    if op.kind == "dA" and op.key == f"dA{L}":
        text = (
            f"∂J/∂A[{L}]: how the cost changes with each output. In these notes the cost's 1/m lives "
            "here, so dZ, dW and db below already carry it and dW = dZ·A[l−1]ᵀ has no 1/m of its own "
            "(the other common convention divides dW and db by m instead: the gradients are equal)."
        )
        if spec.output == "sigmoid":
            text += (
                f" nnviz writes 1/A and 1/(1 − A) as 1 + e^−z and 1 + e^z from Z[{L}], so dA[{L}] stays "
                "finite even where A rounds to 0 or 1."
            )
        return text
    if op.kind == "dA":
        return (
            f"The gradient travels back through the weights: W[{l}]ᵀ ({n_prev}×{n_l}) · dZ[{l}] ({n_l}×m) "
            f"gives one entry per unit of layer {l - 1} and example. It uses W[{l}] as the forward pass "
            "used it: that is why the updates wait until the backward pass is over. dA[0] is never "
            "computed: A[0] = X is data, nothing to learn, and on a wide input it would cost as much as "
            "the forward product."
        )
    if op.kind == "dZ" and l == L:
        simple = {"sigmoid": f"(A[{L}] − Y)/m", "softmax": f"(A[{L}] − Y)/m", "linear": f"(A[{L}] − Y)/m"}
        return (
            f"The chain rule through the output activation. With its matching loss it simplifies to "
            f"{simple[spec.output]}: prediction minus label, averaged — the classic output gradient."
        )
    if op.kind == "dZ":
        return (
            f"Entry by entry, not a matrix product: each entry of dA[{l}] is scaled by the slope "
            f"g'(Z[{l}]) of its unit on its example — this is why Z[{l}] was cached. "
            + _ACTIVATION[spec.activation(l)]
        )
    if op.kind == "dW":
        text = (
            f"dZ[{l}] ({n_l}×m) · A[{l - 1}]ᵀ (m×{n_prev}) adds up, over the m examples, the error at "
            f"each unit times the input that fed it: one number per weight, the shape of W[{l}] "
            f"({n_l}×{n_prev}). No 1/m here: dA[{L}] already carries it."
        )
        return text + (
            " A slip in the notes' template: it writes A[l+1]ᵀ here. The right index is l−1, the "
            f"activation that W[{l}] multiplied in the forward pass."
        )
    return (
        f"b[{l}] was added to every column, so its gradient is dZ[{l}] summed over the examples "
        "(axis 1, kept as a column). No 1/m here either."
    )


def _update(op: Operation) -> str:
    param = symbol(op.key)
    return (
        f"Gradient descent: {param} takes a step of size α against its gradient d{param}. The updates "
        "come after the whole backward pass, because dA[l−1] = W[l]ᵀ·dZ[l] needed the weights of the "
        "forward pass."
    )


def explain(op: Operation, spec: NetworkSpec) -> str:
    """A few sentences on what ``op`` does and why, in the notes' notation."""
    if op.phase == "forward":
        return _forward(op, spec)
    if op.phase == "cost":
        return _cost(spec)
    if op.phase == "backward":
        return _backward(op, spec)
    return _update(op)


NOTES_SLIPS = (
    "Three slips in the notes that nnviz does not copy: the template writes Z = Wᵀ·A (with W of shape "
    "(n[l], n[l−1]) it is W·A); it writes dW = dZ·A[l+1]ᵀ (the index is l−1); and it calls "
    "np.random.rand normal, though rand is uniform on [0, 1) — so rand·√(2/n) is not He "
    "initialisation (which needs randn): every weight starts positive."
)
