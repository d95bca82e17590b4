namespace KernelDigest.Bot.TelegramChat;

/// <summary>The bot's own identity on Telegram, learnt from getMe at start.</summary>
public sealed class TelegramBotIdentity
{
    public string? Username { get; set; }
    public long Id { get; set; }
}
