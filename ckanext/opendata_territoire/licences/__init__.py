"""Licences: the register of licences a public body may use, the policy that
enforces it, the guided choice and the reuse mention."""
