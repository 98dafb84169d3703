"""Anliegen: the customer-service platform a service department runs all day."""

__version__ = "0.1.0"
