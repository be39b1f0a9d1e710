"""The step contract and the executors that run steps over document batches."""
