"""Student implementations the graders are tried against: correct ones written differently from the
reference (they must get full marks) and wrong ones (each must lose the points of its part)."""
