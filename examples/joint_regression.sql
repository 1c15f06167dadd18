-- Joint regression: several targets from one model (linnerud).
SELECT * FROM pgml.load_dataset('linnerud');
SELECT * FROM pgml.train_joint('Exercise vs Physiology', 'regression', 'pgml.linnerud', ARRAY['weight', 'waist', 'pulse']);
SELECT chins, situps, jumps, pgml.predict_joint('Exercise vs Physiology', ARRAY[chins, situps, jumps]) AS weight_waist_pulse
FROM pgml.linnerud LIMIT 5;
