-- Decomposition: PCA of the iris measurements.
SELECT * FROM pgml.load_dataset('iris');
CREATE OR REPLACE VIEW iris_measurements AS SELECT sepal_length, sepal_width, petal_length, petal_width FROM pgml.iris;
SELECT * FROM pgml.train('Iris Components', 'decomposition', 'iris_measurements', hyperparams => '{"n_components": 2}');
SELECT metrics->>'cumulative_explained_variance' AS explained FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id
WHERE p.name = 'Iris Components';
SELECT target, pgml.decompose('Iris Components', ARRAY[sepal_length, sepal_width, petal_length, petal_width]) AS components
FROM pgml.iris LIMIT 5;
