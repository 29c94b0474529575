namespace S4AL.Annotation.LabelStudio;

/// <summary>
/// The names Label Studio tasks and results use here. A brush result is
/// {type: "brushlabels", value: {format: "rle", rle, brushlabels}, original_width, original_height}
/// as Label Studio documents it (labelstud.io/tags/brushlabels) and brush.py's image2annotation
/// writes it (HumanSignal/label-studio-converter, label_studio_converter/brush.py).
/// </summary>
internal static class LabelStudioLayout
{
    public const string TasksFile = "tasks.json";
    public const string ConfigFile = "labeling-config.xml";
    public const string ImageFolder = "images";

    // Names in the labeling configuration: the image, the brush and the region rectangles.
    public const string ImageName = "image";
    public const string BrushName = "tag";
    public const string RegionName = "region";
    public const string RegionLabel = "S4AL region";

    // What S4AL adds to a task's data, so that an import finds the query whatever URL the image has.
    public const string ImageKey = "s4al_image";
    public const string CycleKey = "s4al_cycle";

    public const string BrushType = "brushlabels";
    public const string RectangleType = "rectanglelabels";

    /// <summary>Bytes per pixel of a brush canvas (RGBA); the mask is in alpha (the editor's canvas.js and brush.py read channel 3).</summary>
    public const int Channels = 4;
}
