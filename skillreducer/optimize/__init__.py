"""Multi-objective search: MOCHA (generic) and its objectives and operators for skills."""
