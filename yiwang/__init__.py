"""Yiwang 一网通办: the platform a county, city or park runs its government services on."""
