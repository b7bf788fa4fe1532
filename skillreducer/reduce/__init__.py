"""`skillreducer reduce`: description compression (ddmin against the routing oracle),
body restructuring into core + references, the faithfulness gate, and writing."""
