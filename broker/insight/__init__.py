"""The LA's supply and demand: priorities across its schools against the listings serving it."""
