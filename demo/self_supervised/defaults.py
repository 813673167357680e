"""The defaults of a training run, shared by the command line (`cli`) and `run.train`."""

from demo.self_supervised import refinement

STEPS = 2500
SELF_TRAINING_SHARE = 0.6  # of the steps, self-supervised: the last ones train on refined poses
PSEUDO_LABELS = (1024, 2048)  # training images each self-training round refines (fresh ones each round)
BATCH = 32
LEARNING_RATE = 1e-3
HYPOTHESES = 4
LOSS = "pyramid"
SIZE = 64
TRAIN_IMAGES = 4096
HELD_OUT_IMAGES = 256
LOG_EVERY = 50
CHECKPOINT_EVERY = 500
REFINE_STEPS = refinement.STEPS
CONNECT_TIMEOUT = 60.0
