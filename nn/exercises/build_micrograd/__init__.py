"""placeholder"""
from nn.exercises.build_micrograd.value import (
    check_add_mul, check_exp, check_tanh, check_tanh_from_exp, check_value_ops,
)
from nn.exercises.build_micrograd.backward import check_backward
