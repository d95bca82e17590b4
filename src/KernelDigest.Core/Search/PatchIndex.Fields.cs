namespace KernelDigest.Core.Search;

public sealed partial class PatchIndex
{
    internal static class Fields
    {
        public const string Ord = "ord";
        public const string Month = "month";
        public const string Subsystem = "subsystem";
        public const string TitleId = "title_id";
        public const string TitleZh = "title_zh";

        /// <summary>Authors and keywords: short, exact, weighted almost like the title.</summary>
        public const string MetaId = "meta_id";

        /// <summary>Summary, changelog, section heading and the entry's glossary counterparts, as one body.</summary>
        public const string BodyId = "body_id";
        public const string BodyZh = "body_zh";
        public const string Prefix = "prefix";

        /// <summary>
        /// Every name (zh and en, lower case) of each glossary term an entry mentions in either language, one keyword
        /// per name: a cross-language match is then one term lookup, not a phrase over the whole body.
        /// </summary>
        public const string Gloss = "gloss";
        public const string PrefixBody = "prefix_body";
    }
}
