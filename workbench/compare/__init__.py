"""Compare: what an order does to each group, to the queues and over time, with small numbers hidden."""
