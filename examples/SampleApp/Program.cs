using SampleApp;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSingleton<InvoiceNumbers>();
builder.Services
    // Every option from appsettings.json's "Celeriac" section, or from CELERIAC__... environment variables.
    .AddCeleriac(builder.Configuration.GetSection("Celeriac"))
    .AddTasks<ShopTasks>()
    .UseRabbitMq()          // Celeriac:RabbitMq
    .UseSqliteStore()       // Celeriac:Sqlite: a durable record per task, read by the API
    .AddWorker()            // Celeriac:Worker: this process runs the tasks...
    .AddQueueConsumer()     // ...that it consumes from its queues
    .AddHttpApi();          // Celeriac:Http: POST /api/tasks/{name}, GET /api/tasks/{id}, ...

var app = builder.Build();
app.UseStatusCodePages();
app.MapCeleriacApi();
app.MapOpenApi();
app.MapGet("/", () => "Shop: POST /api/tasks/shop.send_invoice {\"args\": [\"A-1001\", 42.5]}");
app.Run();
