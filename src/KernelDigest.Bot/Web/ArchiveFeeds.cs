using System.Security.Cryptography;
using System.ServiceModel.Syndication;
using System.Text;
using System.Xml;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Bot.Web;

/// <summary>
/// Atom 1.0 feeds (RFC 4287) written by <see cref="Atom10FeedFormatter"/>: one Atom entry per report entry, newest
/// month first, with the month and subsystem as categories. Ids are name-based UUIDs of month and slug, so an entry's
/// id never changes with the host or the scheme it was fetched from.
/// </summary>
internal sealed class ArchiveFeeds(LibrarySnapshot snapshot, SubsystemCatalog catalog)
{
    /// <summary>Every entry, or one subsystem's; <paramref name="address"/> turns a site path into the link readers follow.</summary>
    public byte[] Write(Subsystem? subsystem, string feedPath, Func<string, Uri> address)
    {
        var version = SiteVersion.Of(snapshot);
        var items = new List<SyndicationItem>();
        foreach (var report in snapshot.Reports)
        {
            var slugs = EntrySlugs.Of(report);
            var updated = version.Updated(report);
            foreach (var section in report.Sections)
            {
                if (subsystem is not null && section.Subsystem != subsystem.Key)
                    continue;
                foreach (var entry in section.Entries)
                {
                    var path = ArchiveLinks.MonthPath(report.Month) + "/" + slugs[entry];
                    var item = new SyndicationItem
                    {
                        Id = Id("entry:" + path),
                        Title = new TextSyndicationContent(entry.Title),
                        Summary = new TextSyndicationContent(entry.OneLine),
                        Content = new TextSyndicationContent(string.Join("\n\n", entry.Summary)),
                        LastUpdatedTime = updated,
                        PublishDate = report.Published ?? default, // unknown (not yet published with `publish`): left out
                    };
                    item.Links.Add(SyndicationLink.CreateAlternateLink(address(path), "text/html"));
                    foreach (var author in entry.Authors.Count > 0 ? entry.Authors : [report.Source ?? "KernelDigest"])
                        item.Authors.Add(new SyndicationPerson { Name = author });
                    item.Categories.Add(new SyndicationCategory(report.Month.ToString(), "urn:kerneldigest:month", report.Month.ToString()));
                    var name = catalog.Find(section.Subsystem)?.NameEn ?? section.Subsystem;
                    item.Categories.Add(new SyndicationCategory(section.Subsystem, "urn:kerneldigest:subsystem", name));
                    items.Add(item);
                }
            }
        }
        var feed = new SyndicationFeed(items)
        {
            Id = Id(subsystem is null ? "feed" : "feed:" + subsystem.Key),
            Title = new TextSyndicationContent(subsystem is null ? "Linux 内核月报 · KernelDigest" : $"Linux 内核月报 · {subsystem.NameZh} ({subsystem.Key})"),
            LastUpdatedTime = items.Count > 0 ? items.Max(i => i.LastUpdatedTime) : DateTimeOffset.UnixEpoch,
            Generator = "KernelDigest",
        };
        feed.Authors.Add(new SyndicationPerson { Name = snapshot.Latest?.Source ?? "KernelDigest" });
        feed.Links.Add(SyndicationLink.CreateSelfLink(address(feedPath), "application/atom+xml"));
        feed.Links.Add(SyndicationLink.CreateAlternateLink(address(subsystem is null ? "" : ArchiveLinks.SubsystemPath(subsystem.Key)), "text/html"));

        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
            new Atom10FeedFormatter(feed).WriteTo(writer);
        return stream.ToArray();
    }

    /// <summary>A name-based (SHA-1, version 5 style) UUID URN: the same name gives the same id forever.</summary>
    internal static string Id(string name)
    {
        // RFC 9562 defines name-based version 5 UUIDs over SHA-1; it names things here, it protects nothing.
#pragma warning disable CA5350
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes("kerneldigest:" + name));
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        return $"urn:uuid:{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }
}
