"""The contracts to come: the renewals the procurement data foretells."""
