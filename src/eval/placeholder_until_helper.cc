// Replaced by the evaluation library (datasets, accuracy); keeps the build linking meanwhile.
