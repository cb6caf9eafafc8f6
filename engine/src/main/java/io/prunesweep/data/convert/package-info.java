/**
 * COCO, Pascal VOC and KITTI object datasets into the ultralytics YOLO layout ({@code prunesweep
 * data convert}), and {@code coco:}/{@code voc:}/{@code kitti:} dataset specs converted once per
 * machine for sweeps.
 *
 * <pre>{@code
 * ConvertOptions o = new ConvertOptions(ConvertOptions.Format.KITTI, "s3a://b/kitti/training", "s3a://b/kitti-yolo",
 *         null, Map.of("Van", "Car"), Set.of("DontCare"), false, false, 0.2, 0);
 * DatasetConverter.Result r = DatasetConverter.convert(o, FileSystems.conf());
 * r.report().lines().forEach(System.out::println);   // images and boxes per split, N x reason per dropped box
 * DatasetConfig cfg = DatasetConfig.load(r.dataYaml(), FileSystems.conf());
 * }</pre>
 */
package io.prunesweep.data.convert;
