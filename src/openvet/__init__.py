"""openvet: an open-source veterinary practice server speaking the ezyVet and Provet Cloud APIs."""

__version__ = "0.1.0"
