/**
 * YOLO detection data: ultralytics {@code data.yaml} datasets read through any Hadoop filesystem,
 * validated label by label ({@link io.prunesweep.data.DatasetReport}), the deterministic {@link
 * io.prunesweep.data.SyntheticShapes} generator, ultralytics-equivalent augmentation (Mosaic,
 * RandomPerspective, RandomHSV, RandomFlip, LetterBox) on OpenCV, and the multi-threaded {@link
 * io.prunesweep.data.DetectionLoader} producing {@link io.prunesweep.data.Batch}es for DJL.
 *
 * <pre>{@code
 * Configuration conf = new Configuration();
 * DatasetConfig cfg = DatasetConfig.load("hdfs://nn/data/shapes/data.yaml", conf);
 * YoloDataset train = YoloDataset.scan(cfg, "train", conf, 4);          // decodes + validates every file
 * System.out.println(train.report().summary());
 * var opts = DetectionLoader.Options.train(640, 16).withWorkers(4).withCache(true).withEpochs(100).withSeed(0);
 * try (DetectionLoader loader = new DetectionLoader(train, opts)) {
 *     for (int e = 0; e < 100; e++) {
 *         try (DetectionLoader.Epoch epoch = loader.epoch(e)) {
 *             for (Batch b : epoch) {
 *                 try (NDManager m = manager.newSubManager()) {
 *                     NDArray x = b.images(m), y = b.targets(m);  // [B,3,H,W] RGB 0..1, [N,6] (i, cls, cx, cy, w, h)
 *                 }
 *             }
 *         }
 *     }
 * }
 * }</pre>
 */
package io.prunesweep.data;
