"""The hotline's domain: parties and access, the picture, alerts and the node."""
