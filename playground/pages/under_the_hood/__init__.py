"""Under the hood: gradient flow, activations per layer, step-through, gradient check, loss landscape."""
