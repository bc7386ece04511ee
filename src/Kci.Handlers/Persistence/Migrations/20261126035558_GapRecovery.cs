using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kci.Handlers.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class GapRecovery : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "recovered_from",
                schema: "handlers",
                table: "timeline",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "recovered_from",
                schema: "handlers",
                table: "timeline");
        }
    }
}
