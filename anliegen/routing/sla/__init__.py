"""Service levels: business-hours arithmetic (calendar, pure) and due times per case (compute)."""
