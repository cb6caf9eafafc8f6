package io.prunesweep.train;

/** Training cannot go on (a NaN loss, no usable data): the message says where and what to try. */
public class TrainingFailure extends RuntimeException {
    public TrainingFailure(String message) {
        super(message);
    }
}
