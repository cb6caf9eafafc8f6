package io.prunesweep.eval;

/** The figures of one validation run and how long its stages took. */
public record ValidationRun(DetectionResult result, ValidationSpeed speed) {}
