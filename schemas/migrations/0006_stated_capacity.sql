-- schema version 6: a specific capacity whose cycle the paper does not state.
-- Abstracts often say "delivers 125 mAh/g over 1600 cycles" or "gives 148 mAh/g at 0.1C" without saying
-- whether that is the first, a typical or the last cycle. Before this column such a number could only be
-- filed as initial_capacity or retained_capacity (a reading the paper does not support) or left in the text.
ALTER TABLE cycling_results ADD COLUMN stated_capacity_mAh_g DOUBLE;
ALTER TABLE cycling_results ADD COLUMN stated_capacity_qualifier VARCHAR;
