"""xlcrm: the group's customer-management regulation, kept in Excel."""

__version__ = "0.1.0"
