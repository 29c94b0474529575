namespace S4AL.Annotation.Cvat;

/// <summary>
/// CVAT's "Segmentation mask 1.1": the Pascal VOC segmentation layout that CVAT exports and
/// imports (cvat-ai/cvat, cvat/apps/dataset_manager/formats/mask.py, which calls datumaro's
/// "voc_segmentation" converter with apply_colormap and the task's label colours:
/// cvat-ai/datumaro, datumaro/plugins/voc_format/converter.py and format.py).
/// </summary>
internal static class CvatLayout
{
    public const string ClassFolder = "SegmentationClass";
    public const string ObjectFolder = "SegmentationObject";
    public const string ImageFolder = "JPEGImages";
    // CVAT puts every frame of a task in the subset "default".
    public const string SubsetList = "ImageSets/Segmentation/default.txt";
    public const string UploadArchive = "cvat-annotations.zip";
    public const string LabelsJson = "cvat-labels.json";
}
