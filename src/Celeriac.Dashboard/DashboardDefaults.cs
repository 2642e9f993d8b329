namespace Celeriac.Dashboard;

/// <summary>Names and defaults shared by the dashboard's parts.</summary>
internal static class DashboardDefaults
{
    /// <summary>The worker table's file name, next to the task records.</summary>
    public const string WorkerTableFileName = "dashboard.db";

    /// <summary>The cookie that holds the API key after a login.</summary>
    public const string KeyCookie = "celeriac-dashboard-key";

    /// <summary>The header every action request must carry: a cross-site page cannot send it without CORS, which the dashboard never allows.</summary>
    public const string ActionHeader = "X-Celeriac-Dashboard";

    /// <summary>Task lists and live updates cut arguments and results longer than this (JSON bytes); a task's own page has them whole.</summary>
    public const int ListValueBytes = 1024;
}
