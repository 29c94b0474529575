namespace S4AL.Annotation;

/// <summary>The file formats of the annotation tools; <see cref="AnnotationFormats"/> parses and names them.</summary>
public enum AnnotationFormat
{
    /// <summary>CVAT's "Segmentation mask 1.1" (a Pascal VOC layout with colour masks), name "cvat".</summary>
    Cvat,

    /// <summary>Label Studio's JSON tasks with brush masks in its RLE, name "label-studio".</summary>
    LabelStudio,

    /// <summary>One 8-bit grayscale PNG of class indices per image, name "masks".</summary>
    Masks,
}
